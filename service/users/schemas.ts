import { z } from "zod";
import { OrganizationId } from "../meetings/schemas.ts";

export const UsersQuery = z.strictObject({
  organizationId: OrganizationId,
  pageSize: z.coerce.number().int().min(1).max(300).optional().meta({ description: "Default 30, at most 300." }),
  pageToken: z
    .string()
    .min(1)
    .max(512)
    .optional()
    .meta({ description: "nextPageToken of the previous page; Zoom expires it after 15 minutes." }),
});
export type UsersQuery = z.infer<typeof UsersQuery>;

export const ZoomUser = z.object({
  id: z.string(),
  email: z.string(),
  firstName: z.string(),
  lastName: z.string(),
  displayName: z.string(),
  timeZone: z.string().nullable(),
  role: z.string().nullable(),
  status: z.string().nullable().meta({ description: "Zoom's status: active, inactive (deactivated) or pending (invited)." }),
  licence: z.enum(["licensed", "basic", "none"]).meta({ description: "Zoom's user type: 2 licensed, 1 basic, anything else none." }),
  canHost: z.boolean().meta({ description: "Licensed and active: a booking may name this user as host." }),
  cannotHostReason: z.enum(["basic", "deactivated", "pending"]).nullable(),
});
export type ZoomUser = z.infer<typeof ZoomUser>;

export const UsersPage = z.object({ users: z.array(ZoomUser), nextPageToken: z.string().nullable(), totalRecords: z.number().int() });
export type UsersPage = z.infer<typeof UsersPage>;
