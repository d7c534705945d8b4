"""Characters through the API: CRUD, and their description reaching the image provider with
every shot that names them."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from typing import Any, ClassVar

import pytest
from PIL import Image

from storyreel.providers.base import ImageResult, ImageSpec
from storyreel.providers.image.sketch import SketchImageGenerator
from storyreel.settings import Settings
from tests.api.kit import Api, running_api
from tests.api.test_projects import P, finished, make_every_step, settled, storyboarded


class RecordingImages(SketchImageGenerator):
    """The sketch renderer, remembering what each call was asked for."""

    name = "recording"
    deterministic = False  # every run reaches the provider
    calls: ClassVar[list[tuple[str, ImageSpec]]] = []
    lock: ClassVar[threading.Lock] = threading.Lock()

    def generate(self, prompt: str, spec: ImageSpec) -> ImageResult:
        with self.lock:
            self.calls.append((prompt, spec))
        return super().generate(prompt, spec)


@pytest.fixture
def recording(settings: Settings) -> Iterator[Api]:
    """An API whose image provider is ``RecordingImages``, registered in its real registry."""
    providers = settings.providers.model_copy(update={"image": "recording"})
    with running_api(settings, providers=providers) as api:
        platform = api.client.app.state.storyreel.platform  # type: ignore[attr-defined]
        platform.services.pipeline.registry.register(RecordingImages)
        RecordingImages.calls.clear()
        yield api


def test_a_description_edit_redraws_exactly_the_shots_naming_the_character(
    recording: Api,
) -> None:
    api = recording
    alice = api.register("alice")
    project = make_every_step(api, alice, storyboarded(api, alice))
    pid = project["id"]
    (mara,) = [c for c in project["characters"] if c["key"] == "mara"]
    naming = [s for s in project["shots"] if "mara" in s["characters"]]
    others = [s for s in project["shots"] if "mara" not in s["characters"]]
    assert naming and others
    before = finished(project)
    RecordingImages.calls.clear()

    description = "a grey-haired keeper in a yellow oilskin coat"
    r = api.client.patch(
        f"{P}/{pid}/characters/{mara['id']}",
        json={"description": description},
        headers=alice.headers,
    )
    assert r.status_code == 200 and r.json()["description"] == description
    after = settled(api, alice, pid)

    # The pictures (and so the motion) of the shots naming Mara were made again; no others.
    rerun = {i for i, at in finished(after).items() if at != before[i]}
    assert rerun == {s["tasks"][k]["id"] for s in naming for k in ("image", "motion")}
    # The provider was given the new description with each of those shots.
    assert len(RecordingImages.calls) == len(naming)
    for prompt, spec in RecordingImages.calls:
        # The description is in the prompt text too, for providers that only read text.
        assert prompt in {f"{s['visual_prompt'].rstrip('.')}. Mara: {description}" for s in naming}
        assert [(c.id, c.description) for c in spec.characters] == [("mara", description)]


def test_a_new_reference_picture_redraws_the_shots_naming_the_character(recording: Api) -> None:
    api = recording
    alice = api.register("alice")
    project = make_every_step(api, alice, storyboarded(api, alice))
    pid = project["id"]
    (mara,) = [c for c in project["characters"] if c["key"] == "mara"]
    naming = [s for s in project["shots"] if "mara" in s["characters"]]
    before = finished(project)
    RecordingImages.calls.clear()
    picture = io.BytesIO()
    Image.new("RGB", (64, 64), (30, 90, 160)).save(picture, "PNG")
    r = api.client.put(
        f"{P}/{pid}/characters/{mara['id']}/reference",
        files={"file": ("mara.png", picture.getvalue(), "image/png")},
        headers=alice.headers,
    )
    assert r.status_code == 200, r.text
    after = settled(api, alice, pid)
    rerun = {i for i, at in finished(after).items() if at != before[i]}
    assert rerun == {s["tasks"][k]["id"] for s in naming for k in ("image", "motion")}
    # Each redrawn shot's provider call carried the reference picture.
    assert len(RecordingImages.calls) == len(naming)
    assert all(len(spec.reference_images) == 1 for _, spec in RecordingImages.calls)


def test_characters_crud(api: Api) -> None:
    alice, bob = api.register("alice"), api.register("bob")
    project = storyboarded(api, alice)
    pid = project["id"]
    url = f"{P}/{pid}/characters"
    r = api.client.post(
        url,
        json={"name": "Old Tom", "description": "a fisherman", "color": "#336699"},
        headers=alice.headers,
    )
    assert r.status_code == 201, r.text
    tom = r.json()
    assert tom["key"] == "old-tom" and tom["reference"] is None
    twin = api.client.post(url, json={"name": "Old Tom"}, headers=alice.headers).json()
    assert twin["key"] == "old-tom-2"
    chinese = api.client.post(url, json={"name": "林晓"}, headers=alice.headers).json()
    assert chinese["key"].startswith("c-")
    for bad in ({"name": ""}, {"name": "x", "color": "red"}, {"name": "x", "key": "mine"}, {}):
        assert api.client.post(url, json=bad, headers=alice.headers).status_code == 422
    keys = [c["key"] for c in api.client.get(url, headers=alice.headers).json()]
    assert {"mara", "old-tom", "old-tom-2", chinese["key"]} <= set(keys)

    shot = project["shots"][0]
    named = api.client.patch(
        f"{P}/{pid}/shots/{shot['id']}",
        json={"characters": ["old-tom", "mara"]},
        headers=alice.headers,
    )
    assert named.status_code == 200
    renamed = api.client.patch(f"{url}/{tom['id']}", json={"name": "Tom"}, headers=alice.headers)
    assert renamed.status_code == 200 and renamed.json()["name"] == "Tom"
    assert renamed.json()["key"] == "old-tom"  # shots keep naming it
    for bad in ({"name": None}, {"key": "x"}, {"color": "#12"}, {"description": "x" * 1001}):
        r = api.client.patch(f"{url}/{tom['id']}", json=bad, headers=alice.headers)
        assert r.status_code == 422, bad
    assert api.client.patch(f"{url}/{tom['id']}", json={}, headers=bob.headers).status_code == 404
    assert api.client.delete(f"{url}/{tom['id']}", headers=bob.headers).status_code == 404

    # Deleting a character takes it out of the shots that named it.
    assert api.client.delete(f"{url}/{tom['id']}", headers=alice.headers).status_code == 204
    assert api.client.delete(f"{url}/{tom['id']}", headers=alice.headers).status_code == 404
    shots = api.client.get(f"{P}/{pid}/shots", headers=alice.headers).json()
    assert shots[0]["characters"] == ["mara"]
    board = api.client.get(f"{P}/{pid}/storyboard", headers=alice.headers)
    assert board.status_code == 200
    assert "old-tom" not in [c["id"] for c in board.json()["characters"]]


def test_characters_of_another_project_are_not_reachable(api: Api) -> None:
    alice = api.register("alice")
    first, second = storyboarded(api, alice), storyboarded(api, alice)
    mara: dict[str, Any] = first["characters"][0]
    url = f"{P}/{second['id']}/characters/{mara['id']}"
    assert api.client.patch(url, json={"name": "X"}, headers=alice.headers).status_code == 404
    assert api.client.delete(url, headers=alice.headers).status_code == 404
