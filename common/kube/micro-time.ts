// metav1.MicroTime for requests (JSON.stringify calls toISOString through Date's toJSON).

/**
 * NB: Lease and Event times are metav1.MicroTime, which the API server parses only with exactly six
 * fractional digits; a Date serialises with toISOString (three), and is refused (400).
 */
export class MicroTime extends Date {
  override toISOString(): string {
    return super.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
  }
}
