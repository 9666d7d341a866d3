// The internal API for an organization's connection: read, verify, disconnect.
import express, { type Router } from "express";
import { OrgParams } from "../oauth/oauth-routes.ts";
import type { Connections } from "./connections.ts";

export function createConnectionRouter(connections: Connections): Router {
  const router = express.Router();
  const path = "/v1/organizations/:organizationId/zoom/connection";
  router.get(path, async (req, res) => {
    res.json(await connections.status(OrgParams.parse(req.params).organizationId));
  });
  router.post(`${path}/verify`, async (req, res) => {
    res.json(await connections.verify(OrgParams.parse(req.params).organizationId));
  });
  router.delete(path, async (req, res) => {
    await connections.disconnect(OrgParams.parse(req.params).organizationId);
    res.status(204).end();
  });
  return router;
}
