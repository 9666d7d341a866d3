// Which children were last seen matching their desired state, and at which resourceVersion. The
// informer caches hold a child's view only (slim.ts childView), so the drift comparison
// (desired-state.ts) needs the whole object: it is read once, and as long as the child's
// resourceVersion and the desired state's hash are those recorded here, it still matches (any change
// by anyone, even to a field we do not own, moves the resourceVersion, and the next pass reads it again).

/** Per owner (a ZoomIntegration's key), per child (`kind/name`): `resourceVersion hash`. */
export class VerifiedChildren {
  private readonly byOwner = new Map<string, Map<string, string>>();
  /** Per owner: the key of the props last rendered, and its children, all seen matching. */
  private readonly renders = new Map<string, { readonly key: string; readonly children: readonly string[] }>();

  /** True when `child` at `resourceVersion` was seen matching the desired state with `hash`. */
  matches(owner: string, child: string, resourceVersion: string | undefined, hash: string): boolean {
    return resourceVersion !== undefined && this.byOwner.get(owner)?.get(child) === `${resourceVersion} ${hash}`;
  }

  /** True when `child` is still at the resourceVersion at which it was last seen matching. */
  unchanged(owner: string, child: string, resourceVersion: string | undefined): boolean {
    return resourceVersion !== undefined && this.byOwner.get(owner)?.get(child)?.startsWith(`${resourceVersion} `) === true;
  }

  /** The render of props `key` gave `children`, each now seen matching (recorded). */
  recordRender(owner: string, key: string, children: readonly string[]): void {
    this.renders.set(owner, { key, children });
  }

  /**
   * The children of the last render, when it was of props `key`: if each is unchanged since it was
   * seen matching, rendering again would give the same objects and apply nothing.
   */
  renderedChildren(owner: string, key: string): readonly string[] | undefined {
    const render = this.renders.get(owner);
    return render?.key === key ? render.children : undefined;
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
    this.renders.delete(owner);
  }

  /** Children remembered, over all owners. */
  get size(): number {
    let n = 0;
    for (const children of this.byOwner.values()) n += children.size;
    return n;
  }
}
