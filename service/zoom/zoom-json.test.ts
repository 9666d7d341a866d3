import { describe, expect, it } from "vitest";
import { meetingIdOf, parseZoomJson } from "./zoom-json.ts";

describe("parseZoomJson", () => {
  it("keeps an id above 2^53 as the exact digits Zoom sent", () => {
    const parsed = parseZoomJson('{"id":9007199254740993,"duration":30}');
    expect(parsed).toEqual({ ok: true, value: { id: "9007199254740993", duration: 30 } });
  });

  it("keeps ids nested in arrays exact and leaves small numbers as numbers", () => {
    const parsed = parseZoomJson('{"meetings":[{"id":18446744073709551615},{"id":85746065}],"total_records":2}');
    expect(parsed).toEqual({ ok: true, value: { meetings: [{ id: "18446744073709551615" }, { id: 85746065 }], total_records: 2 } });
  });

  it("does not touch digits inside strings, even after escaped quotes", () => {
    const text = '{"agenda":"say \\"id\\":9007199254740993 please","id":9007199254740995}';
    expect(parseZoomJson(text)).toEqual({ ok: true, value: { agenda: 'say "id":9007199254740993 please', id: "9007199254740995" } });
  });

  it("reports an HTML body or an empty body as not JSON instead of throwing", () => {
    expect(parseZoomJson("<html><body>502 Bad Gateway</body></html>").ok).toBe(false);
    expect(parseZoomJson("").ok).toBe(false);
  });

  it("normalises meeting ids from strings and safe numbers, and refuses anything else", () => {
    expect(meetingIdOf("9007199254740993")).toBe("9007199254740993");
    expect(meetingIdOf(85746065)).toBe("85746065");
    expect(meetingIdOf(1.5)).toBeUndefined();
    expect(meetingIdOf("12a")).toBeUndefined();
  });
});
