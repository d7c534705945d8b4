import { fireEvent, render, screen } from "@testing-library/react";
import { useState } from "react";
import { describe, expect, it } from "vitest";
import { CardRadioGroup } from "./CardRadioGroup";

function Harness() {
  const [value, setValue] = useState("b");
  return (
    <CardRadioGroup
      value={value}
      onChange={setValue}
      label="Pick one"
      span={{ xs: 8 }}
      testId="choice"
      choices={["a", "b", "c"].map((v) => ({ value: v, name: `Choice ${v}`, description: `About ${v}`, visual: null }))}
    />
  );
}

describe("CardRadioGroup", () => {
  it("is a radio group with one tab stop that arrows move", () => {
    render(<Harness />);
    const group = screen.getByRole("radiogroup", { name: "Pick one" });
    expect(group).toBeInTheDocument();
    const radios = screen.getAllByRole("radio");
    expect(radios.map((r) => r.getAttribute("aria-checked"))).toEqual(["false", "true", "false"]);
    expect(radios.map((r) => r.tabIndex)).toEqual([-1, 0, -1]);
    expect(screen.getByRole("radio", { name: "Choice b" })).toHaveAccessibleDescription("About b");

    fireEvent.keyDown(radios[1], { key: "ArrowRight" });
    expect(screen.getByRole("radio", { name: "Choice c" })).toHaveAttribute("aria-checked", "true");
    expect(document.activeElement).toBe(screen.getByRole("radio", { name: "Choice c" }));
    fireEvent.keyDown(radios[2], { key: "ArrowRight" });
    expect(screen.getByRole("radio", { name: "Choice a" })).toHaveAttribute("aria-checked", "true");
    fireEvent.keyDown(radios[0], { key: "End" });
    expect(screen.getByRole("radio", { name: "Choice c" })).toHaveAttribute("aria-checked", "true");
    fireEvent.click(screen.getByRole("radio", { name: "Choice b" }));
    expect(screen.getByRole("radio", { name: "Choice b" })).toHaveAttribute("aria-checked", "true");
  });
});
