import { z } from "zod";

/**
 * What a confirmation e-mail needs besides the join URL: phone dial-in numbers (Zoom lists them in
 * `settings.global_dial_in_numbers`), the numeric phone passcode (`pstn_password`), the H.323/SIP
 * passcode (`h323_password`), and the SIP and H.323 addresses, which Zoom gives only inside the
 * invitation text ("Join by SIP" / "Join by H.323"): they are read from there when present.
 */

export const DialInNumber = z.object({
  country: z.string().meta({ description: "ISO country code, e.g. DE." }),
  countryName: z.string(),
  city: z.string().nullable(),
  number: z.string(),
  type: z.string().meta({ description: "toll or tollfree." }),
});

export const JoinDetails = z.object({
  dialIn: z.array(DialInNumber),
  phonePasscode: z.string().nullable().meta({ description: "Numeric passcode for phone participants (Zoom's pstn_password)." }),
  h323Passcode: z.string().nullable(),
  sip: z.array(z.string()).meta({ description: "SIP addresses from the invitation, when Zoom gives them." }),
  h323: z.array(z.string()).meta({ description: "H.323 room-system addresses from the invitation, when Zoom gives them." }),
});
export type JoinDetails = z.infer<typeof JoinDetails>;

const ZoomDialIn = z.array(
  z.looseObject({
    country: z.string().optional(),
    country_name: z.string().optional(),
    city: z.string().optional(),
    number: z.string(),
    type: z.string().optional(),
  }),
);

export function joinDetailsOf(meeting: Record<string, unknown>, invitation: string | null): JoinDetails {
  const settings = (meeting.settings ?? {}) as Record<string, unknown>;
  const dialIn = ZoomDialIn.safeParse(settings.global_dial_in_numbers ?? []);
  const text = (key: string) => (typeof meeting[key] === "string" ? (meeting[key] as string) : null);
  return {
    dialIn: (dialIn.success ? dialIn.data : []).map((d) => ({
      country: d.country ?? "",
      countryName: d.country_name ?? d.country ?? "",
      city: d.city ?? null,
      number: d.number,
      type: d.type ?? "toll",
    })),
    phonePasscode: text("pstn_password"),
    h323Passcode: text("h323_password"),
    ...addressesOf(invitation),
  };
}

/** The SIP and H.323 addresses Zoom prints in the invitation (nowhere else). */
export function addressesOf(invitation: string | null): Pick<JoinDetails, "sip" | "h323"> {
  if (invitation === null) return { sip: [], h323: [] };
  return {
    sip: section(invitation, /join by sip/i).filter((line) => /\S+@\S+/.test(line)),
    h323: section(invitation, /join by h\.?323/i).filter((line) => /\d+\.\d+\.\d+\.\d+|\[[0-9a-f:]+\]/i.test(line)),
  };
}

/** The address lines after a heading of Zoom's invitation, up to the next blank line or heading. */
export function section(invitation: string, heading: RegExp): string[] {
  const lines = invitation.split(/\r?\n/);
  const start = lines.findIndex((line) => heading.test(line));
  if (start < 0) return [];
  const out: string[] = [];
  for (const line of lines.slice(start + 1)) {
    const trimmed = line.replace(/^[\s•*-]+/, "").trim();
    if (trimmed === "" || /^(join by|meeting id|passcode|one tap|dial by)/i.test(trimmed)) break;
    out.push(trimmed.split(/\s+/)[0] ?? trimmed);
  }
  return out;
}
