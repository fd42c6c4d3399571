import { ConstructOrder, IConstruct } from 'constructs';

/**
 * Runs `run` with `node.findAll()` answered from one walk of the tree for as long as the tree does not change.
 *
 * A synthesis walks the whole tree many times: cdk8s validates it, resolves dependencies and lists the charts, each
 * chart lists its objects (cdk8s@2.70.106:lib/app.js:159-166, :236-296, lib/dependency.js:30-37), and the validations,
 * the secret guard, the warnings and the next steps each collect what they need. Each walk allocates an array per
 * construct (constructs@10.8.1:lib/construct.js:178-196); at 100,000 constructs a walk takes ~0.1 s. Here the walks
 * of a synthesis share one per node and order, recomputed after a construct is added or removed (`addChild`,
 * `tryRemoveChild`), so a construct created in a validation is seen as before; each caller gets its own copy of the
 * list. Only the constructs library of `root` is affected, and only while `run` runs; a tree that mixes in constructs
 * of another copy of the library (whose additions would not be seen) is walked afresh every time.
 */
export function withSharedTreeWalks<T>(root: IConstruct, run: () => T): T {
  const proto = Object.getPrototypeOf(root.node);
  const original = { findAll: proto.findAll, addChild: proto.addChild, tryRemoveChild: proto.tryRemoveChild };
  if (Object.values(original).some(f => typeof f !== 'function')) return run();
  let generation = 0;
  let shared = true;
  const walks = new WeakMap<object, Map<ConstructOrder, { generation: number; list: IConstruct[] }>>();
  proto.addChild = function (this: unknown, ...args: unknown[]) {
    generation++;
    return original.addChild.apply(this, args);
  };
  proto.tryRemoveChild = function (this: unknown, ...args: unknown[]) {
    generation++;
    return original.tryRemoveChild.apply(this, args);
  };
  proto.findAll = function (this: object, order: ConstructOrder = ConstructOrder.PREORDER): IConstruct[] {
    if (!shared) return original.findAll.call(this, order);
    let byOrder = walks.get(this);
    const walk = byOrder?.get(order);
    if (walk && walk.generation === generation) return [...walk.list];
    const list: IConstruct[] = original.findAll.call(this, order);
    if (list.some(c => Object.getPrototypeOf(c.node) !== proto)) {
      shared = false;
      return list;
    }
    if (!byOrder) walks.set(this, byOrder = new Map());
    byOrder.set(order, { generation, list });
    return [...list];
  };
  try {
    return run();
  } finally {
    Object.assign(proto, original);
  }
}
