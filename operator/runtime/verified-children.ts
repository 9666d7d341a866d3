// Which children were last seen matching their desired state, and at which version. The informer
// caches hold a child's view only (slim.ts childView), so the drift comparison (desired-state.ts)
// needs the whole object: it is read once, and as long as the child's version and the desired
// state's hash are those recorded here, it still matches. A viewed child's version is its content
// version (slim.ts contentVersion: any change to what the comparison reads moves it, a status update
// does not); any other child's is its resourceVersion.

/** Per owner (a ZoomIntegration's key), per child (`kind/name`): `version hash`. */
export class VerifiedChildren {
  private readonly byOwner = new Map<string, Map<string, string>>();
  /** Per owner: the key of the props last rendered, and its children, all seen matching. */
  private readonly renders = new Map<string, { readonly key: string; readonly children: readonly string[] }>();

  /** True when `child` at `version` was seen matching the desired state with `hash`. */
  matches(owner: string, child: string, version: string | undefined, hash: string): boolean {
    return version !== undefined && this.byOwner.get(owner)?.get(child) === `${version} ${hash}`;
  }

  /** True when `child` is still at the version at which it was last seen matching. */
  unchanged(owner: string, child: string, version: string | undefined): boolean {
    return version !== undefined && this.byOwner.get(owner)?.get(child)?.startsWith(`${version} `) === true;
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

  record(owner: string, child: string, version: string | undefined, hash: string): void {
    if (version === undefined) return;
    const children = this.byOwner.get(owner) ?? new Map<string, string>();
    children.set(child, `${version} ${hash}`);
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
