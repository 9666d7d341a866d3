import { describe, expect, it } from "vitest";
import { OUTBOUND_EVENT_TYPES } from "../events/event-types.ts";
import { openApiDocument } from "./document.ts";

// biome-ignore lint/suspicious/noExplicitAny: walks a JSON document whose shape the assertions check
type Json = Record<string, any>;

describe("the OpenAPI document's events", () => {
  const document = openApiDocument() as Json;

  it("describes every event type as a webhook: a signed CloudEvent whose data is that type's", () => {
    expect(Object.keys(document["webhooks"])).toEqual([...OUTBOUND_EVENT_TYPES]);
    for (const type of OUTBOUND_EVENT_TYPES) {
      const post = document["webhooks"][type].post;
      expect(post.parameters.map((p: Json) => p["name"])).toEqual(["webhook-id", "webhook-timestamp", "webhook-signature"]);
      const body = post.requestBody.content["application/cloudevents+json"].schema;
      expect(body.properties.type).toEqual({ const: type });
      expect(body.required).toEqual(expect.arrayContaining(["specversion", "id", "source", "type", "time", "subject", "data"]));
    }
    const deauthorized = document["webhooks"]["connection.deauthorized"].post.requestBody.content["application/cloudevents+json"].schema;
    expect(Object.keys(deauthorized.properties.data.properties)).toEqual(
      expect.arrayContaining(["userDataRetention", "deleteZoomDataBy", "accountId"]),
    );
  });

  it("documents the endpoint registration and the pull API with their error codes", () => {
    const endpoint = document["paths"]["/v1/organizations/{organizationId}/zoom/events/endpoint"];
    expect(Object.keys(endpoint.put.responses)).toEqual(expect.arrayContaining(["200", "201", "400", "401", "503"]));
    expect(document["paths"]["/v1/events"].get.parameters.map((p: Json) => p["name"])).toEqual(["organizationId", "after", "limit"]);
  });
});
