// The internal API for an organization's connection: read, verify, disconnect.
import express, { type Router } from "express";
import { parseOr400 } from "../meetings/request-parsing.ts";
import { OrgParams } from "../oauth/oauth-routes.ts";
import type { Connections } from "./connections.ts";

const orgOf = (params: unknown) => parseOr400(OrgParams, params, "path").organizationId;

export function createConnectionRouter(connections: Connections): Router {
  const router = express.Router();
  const path = "/v1/organizations/:organizationId/zoom/connection";
  router.get(path, async (req, res) => {
    res.json(await connections.status(orgOf(req.params)));
  });
  router.post(`${path}/verify`, async (req, res) => {
    res.json(await connections.verify(orgOf(req.params)));
  });
  router.delete(path, async (req, res) => {
    await connections.disconnect(orgOf(req.params));
    res.status(204).end();
  });
  return router;
}
