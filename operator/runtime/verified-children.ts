// Which children were last seen matching their desired state, and at which resourceVersion. The
// informer caches hold a child's view only (slim.ts childView), so the drift comparison
// (desired-state.ts) needs the whole object: it is read once, and as long as the child's
// resourceVersion and the desired state's hash are those recorded here, it still matches (any change
// by anyone, even to a field we do not own, moves the resourceVersion, and the next pass reads it again).

/** Per owner (a ZoomIntegration's key), per child (`kind/name`): `resourceVersion hash`. */
export class VerifiedChildren {
  private readonly byOwner = new Map<string, Map<string, string>>();

  /** True when `child` at `resourceVersion` was seen matching the desired state with `hash`. */
  matches(owner: string, child: string, resourceVersion: string | undefined, hash: string): boolean {
    return resourceVersion !== undefined && this.byOwner.get(owner)?.get(child) === `${resourceVersion} ${hash}`;
  }

  record(owner: string, child: string, resourceVersion: string | undefined, hash: string): void {
    if (resourceVersion === undefined) return;
    const children = this.byOwner.get(owner) ?? new Map<string, string>();
    children.set(child, `${resourceVersion} ${hash}`);
    this.byOwner.set(owner, children);
  }

  /** The owner is gone: nothing of it is kept. */
  forget(owner: string): void {
    this.byOwner.delete(owner);
  }

  /** Children remembered, over all owners. */
  get size(): number {
    let n = 0;
    for (const children of this.byOwner.values()) n += children.size;
    return n;
  }
}
