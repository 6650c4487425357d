/**
 * The map key of one tensor of a layer call (layer, call node, output
 * index), the way the graph builder and runner index shapes and values.
 */
export function tensorKey(ref: {
  layer: string;
  node: number;
  tensor?: number;
}): string {
  return `${ref.layer}\u0000${ref.node}\u0000${ref.tensor ?? 0}`;
}
