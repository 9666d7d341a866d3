import { Router } from "express";
import { parseOr400 } from "../meetings/request-parsing.ts";
import { UsersQuery } from "./schemas.ts";
import { listUsers, type UsersDeps } from "./users.ts";

/** `GET /v1/users`: the connected Zoom account's users, paged (mount at the API app's root). */
export function createUsersRouter(deps: UsersDeps): Router {
  const router = Router();
  router.get("/v1/users", async (req, res) => {
    const query = parseOr400(UsersQuery, req.query, "query");
    res.json(await listUsers(deps, query));
  });
  return router;
}
