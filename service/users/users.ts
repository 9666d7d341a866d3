import { z } from "zod";
import { cannotHostReason, licenceOf } from "../hosts/hosts.ts";
import type { ZoomApi } from "../zoom/zoom-api.ts";
import { badResponse } from "../zoom/zoom-errors.ts";
import type { UsersPage, UsersQuery } from "./schemas.ts";

export interface UsersDeps {
  readonly zoom: Pick<ZoomApi, "call">;
}

const ZoomUserList = z.looseObject({
  total_records: z.number().optional(),
  next_page_token: z.string().optional(),
  users: z.array(
    z.looseObject({
      id: z.string(),
      email: z.string(),
      first_name: z.string().optional(),
      last_name: z.string().optional(),
      display_name: z.string().optional(),
      timezone: z.string().optional(),
      role_name: z.string().optional(),
      status: z.string().optional(),
      type: z.number().optional(),
    }),
  ),
});

/** One page of the connected account's users (Zoom's list users, a medium-rate call). */
export async function listUsers(deps: UsersDeps, query: UsersQuery): Promise<UsersPage> {
  const result = await deps.zoom.call({
    organizationId: query.organizationId,
    method: "GET",
    path: "/users",
    query: { page_size: String(query.pageSize ?? 30), next_page_token: query.pageToken },
    retry: "idempotent",
  });
  const parsed = ZoomUserList.safeParse(result.json);
  if (!parsed.success) throw badResponse(result.status, "not a user list");
  const users = parsed.data.users.map((u) => {
    const reason = cannotHostReason(u);
    return {
      id: u.id,
      email: u.email,
      firstName: u.first_name ?? "",
      lastName: u.last_name ?? "",
      displayName: u.display_name ?? `${u.first_name ?? ""} ${u.last_name ?? ""}`.trim(),
      timeZone: u.timezone ?? null,
      role: u.role_name ?? null,
      status: u.status ?? null,
      licence: licenceOf(u.type),
      canHost: reason === undefined,
      cannotHostReason: reason === "notInAccount" ? null : (reason ?? null),
    };
  });
  return { users, nextPageToken: parsed.data.next_page_token || null, totalRecords: parsed.data.total_records ?? users.length };
}
