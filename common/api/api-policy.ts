// The validation decisions behind the schema, printed at the top of docs/api.md. Kept next to the
// schema so a change of policy and its explanation land in the same review.
export const VALIDATION_POLICY = `## Validation policy

The API server refuses an invalid ZoomIntegration when it is applied, with a message naming the
field (OpenAPI schema plus CEL rules in \`x-kubernetes-validations\`); the operator parses what it
reads again with the same zod schema, so both layers hold the same rules.

- **Unknown fields** are never stored: the schema is structural, so the API server prunes them.
  \`kubectl apply\` (strict field validation by default) refuses them, naming the field
  (\`unknown field "spec.domian"\`); a client that sends \`fieldValidation=Warn\` gets a warning
  and the field dropped. The operator's parser refuses them too, so a CRD newer than the operator
  shows up as a spec error instead of a silently ignored setting.
- **Scopes**: any Zoom scope name of the form \`<product>:<read|write|update|delete>[:<resource>][:admin]\`
  is accepted, classic (\`meeting:write:admin\`) and granular (\`meeting:update:meeting:admin\`)
  alike, because Zoom keeps adding granular scopes. Other names are refused. The list must also
  let the service create, read, update and delete meetings and read users, in classic or granular
  terms: a granular list without \`meeting:delete:meeting:admin\` would break cancellations silently.
- **domain** is a lowercase DNS name with at least two labels whose last label starts with a letter
  (no scheme, port, path, IP literal or trailing dot), at most 249 characters so that \`app.<domain>\`
  fits the 253 of a host name.
- **metadata.name** must be a DNS-1035 label of at most 58 characters: the service is named
  \`<name>-zoom\` and Service names are limited to 63.
- **afterConnectPath** must be an absolute path without \`//\`, \`\\\`, \`.\`/\`..\` segments, colon,
  query or fragment, and must not be the OAuth redirect path: it can never become an open redirect.
- **zoom.oauthBaseUrl** and **zoom.apiBaseUrl** must be https; plain http only for loopback or in-cluster Service hosts
  (the Zoom emulator), so the client secret never crosses a network in clear text.
- **service.replicas** is 1 to 10: 0 would break the OAuth redirect, and one tenant needs few pods.
- Cross-field rules: \`clientSecretKey\` differs from \`clientIdKey\`; a webhook Secret Token key is not
  a credentials key of the same Secret; label selector \`values\` match their operator.
- Lists: \`scopes\` is a set, conditions are a map keyed by \`type\` and connections a map keyed by
  \`organizationId\`, so server-side apply merges entries instead of replacing the list.
`;
