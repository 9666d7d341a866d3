import { z } from "zod";
import { REDIRECT_PATH, START_PATH, WEBHOOK_PATH } from "../../common/tenant/names.ts";
import { ZOOM_EVENT_TYPES } from "../../common/tenant/zoom-event-types.ts";
import { CallbackQuery, StartQuery } from "../oauth/oauth-routes.ts";

/**
 * The public port's routes (browser and Zoom facing, routed by the Ingress at https://app.<domain>),
 * in the same document so that fuzzing and readers see the whole HTTP surface. They carry no bearer
 * token; their `servers` entry says they live on the public port, not the internal one.
 */

type Json = Record<string, unknown>;

const PUBLIC = {
  servers: [{ url: "https://app.{domain}", variables: { domain: { default: "acme.example" } }, description: "the public port" }],
  security: [],
};
const html = (description: string) => ({ description, content: { "text/html": { schema: { type: "string" } } } });
const redirect = (description: string) => ({ description, headers: { Location: { required: true, schema: { type: "string" } } } });

/** Query parameters from the zod object the route parses with. */
function queryOf(type: z.ZodObject): Json[] {
  const { properties = {}, required = [] } = z.toJSONSchema(type, { io: "input" }) as { properties?: Json; required?: string[] };
  return Object.entries(properties).map(([name, schema]) => ({ name, in: "query", required: required.includes(name), schema }));
}

export function publicPaths(errorBody: Json): Json {
  const error = (description: string) => ({ description, content: { "application/json": { schema: errorBody } } });
  // NB: Node's HTTP server answers a request line or headers over 16 KiB itself, before Express.
  const tooLong = { 431: { description: "The URL or headers exceed 16 KiB (refused by the HTTP server, empty body)" } };
  return {
    [START_PATH]: {
      ...PUBLIC,
      get: {
        summary: "The connect link (authorizationUrl): binds the browser with a cookie and goes to Zoom; works once, for 10 minutes",
        parameters: queryOf(StartQuery),
        responses: {
          303: redirect(
            "To Zoom's consent page, or to the booking app with ?zoom=error&reason=invalid_link|link_expired|storage_unavailable",
          ),
          400: error("BAD_REQUEST: no ticket, or more than one"),
          410: html("The link was already used: a page saying so; nothing is linked"),
          ...tooLong,
        },
      },
    },
    [REDIRECT_PATH]: {
      ...PUBLIC,
      get: {
        summary: "Zoom's OAuth callback: lands on the booking app with ?zoom=connected or ?zoom=error&reason=..",
        parameters: queryOf(CallbackQuery),
        responses: {
          200: html("No state: an install started in the Zoom Marketplace; a page saying where to connect"),
          303: redirect("To https://app.<domain><afterConnectPath>?zoom=connected or ?zoom=error&reason=.."),
          400: error("BAD_REQUEST: a parameter is malformed, too long or repeated"),
          ...tooLong,
        },
      },
    },
    [WEBHOOK_PATH]: {
      ...PUBLIC,
      post: {
        summary: `Zoom's webhooks (endpoint.url_validation, ${ZOOM_EVENT_TYPES.join(", ")}), signed with the app's Secret Token; events are recorded for the booking app before the answer`,
        parameters: [
          { name: "x-zm-request-timestamp", in: "header", required: true, schema: { type: "string" } },
          { name: "x-zm-signature", in: "header", required: true, schema: { type: "string" } },
        ],
        requestBody: { required: true, content: { "application/json": { schema: { type: "object" } } } },
        responses: {
          200: {
            description: "URL validation answered, or the event recorded (and app_deauthorized's tokens deleted)",
            content: { "application/json": { schema: { type: "object" } } },
          },
          204: { description: "A signed event the service does not act on" },
          400: error("BAD_REQUEST: signed, but not JSON, or a handled event with a malformed field (details.field)"),
          401: error("UNAUTHORIZED: the signature is missing, wrong or older than 5 minutes"),
          404: error("NOT_FOUND: the ZoomIntegration has no webhookSecretRef"),
          413: error("PAYLOAD_TOO_LARGE: more than 64 KiB"),
          503: error("EVENTS_STORE_UNAVAILABLE: the event could not be recorded; Zoom retries"),
        },
      },
    },
  };
}
