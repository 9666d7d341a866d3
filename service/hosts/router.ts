import { Router } from "express";
import { jsonBody, parseOr400 } from "../meetings/request-parsing.ts";
import { OrganizationQuery } from "../meetings/schemas.ts";
import { OrganizationSettings, type OrganizationSettingsStore } from "../settings/organization-settings.ts";
import { BusyParams, BusyQuery, type BusyDeps, busyTimes } from "./busy.ts";

export interface HostsRouterDeps extends BusyDeps {
  readonly settings: OrganizationSettingsStore;
}

const OrgParams = OrganizationQuery;
const base = "/v1/organizations/:organizationId/zoom";

/** An organization's meeting settings (host policy) and its hosts' busy times (mount at the API app's root). */
export function createHostsRouter(deps: HostsRouterDeps): Router {
  const router = Router();
  router.get(`${base}/settings`, async (req, res) => {
    const { organizationId } = parseOr400(OrgParams, req.params, "path");
    res.json(await deps.settings.get(organizationId));
  });
  router.put(`${base}/settings`, jsonBody(), async (req, res) => {
    const { organizationId } = parseOr400(OrgParams, req.params, "path");
    const body = parseOr400(OrganizationSettings, req.body, "body");
    res.json(await deps.settings.put(organizationId, body));
  });
  router.get(`${base}/hosts/:host/busy`, async (req, res) => {
    const { organizationId, host } = parseOr400(BusyParams, req.params, "path");
    const query = parseOr400(BusyQuery, req.query, "query");
    res.json(await busyTimes(deps, organizationId, host, query));
  });
  return router;
}
