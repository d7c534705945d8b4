/** The studio's names for the server's shapes. */
import type { Schemas } from "../../../api/client";
import type { en } from "../messages";

export type Project = Schemas["ProjectOut"];
export type Shot = Schemas["ShotOut"];
export type Task = Schemas["TaskOut"];
export type TaskState = Schemas["TaskState"];
export type Asset = Schemas["AssetOut"];
export type Render = Schemas["RenderOut"];
export type Character = Schemas["CharacterOut"];
export type ShotPatch = Schemas["ShotPatch"];
export type StudioKey = keyof typeof en;
