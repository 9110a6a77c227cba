/** @internal A place in a {@link UseList}, kept for the life of its item so lists never reallocate. */
export class Link<T extends { use: number }> {
  prev: Link<T> | undefined;
  next: Link<T> | undefined;
  linked = false;
  constructor(readonly item: T) {}
}

/**
 * @internal Items ordered by their last use (`item.use`, a counter), oldest first: an intrusive
 * doubly linked list. Moving an item costs no allocation and no `Map` churn (V8's `Map`
 * slows down badly when one key is deleted and set again and again).
 */
export class UseList<T extends { use: number }> {
  private head: Link<T> | undefined;
  private tail: Link<T> | undefined;

  get oldest(): T | undefined {
    return this.head?.item;
  }

  /** Makes `link` the newest. */
  touch(link: Link<T>): void {
    if (link.linked) this.remove(link);
    this.linkAfter(link, this.tail);
  }

  /** Lists `link` at its place by `use`, walking back from the newest end, where such items usually belong. */
  insert(link: Link<T>): void {
    if (link.linked) return;
    let after = this.tail;
    while (after !== undefined && after.item.use > link.item.use) after = after.prev;
    this.linkAfter(link, after);
  }

  remove(link: Link<T>): void {
    if (!link.linked) return;
    if (link.prev === undefined) this.head = link.next;
    else link.prev.next = link.next;
    if (link.next === undefined) this.tail = link.prev;
    else link.next.prev = link.prev;
    link.prev = link.next = undefined;
    link.linked = false;
  }

  *[Symbol.iterator](): IterableIterator<T> {
    for (let link = this.head; link !== undefined; link = link.next) yield link.item;
  }

  private linkAfter(link: Link<T>, after: Link<T> | undefined): void {
    link.prev = after;
    link.next = after === undefined ? this.head : after.next;
    if (link.next === undefined) this.tail = link;
    else link.next.prev = link;
    if (after === undefined) this.head = link;
    else after.next = link;
    link.linked = true;
  }
}
