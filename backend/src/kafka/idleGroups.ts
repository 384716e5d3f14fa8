import type { Admin } from "kafkajs";

/**
 * Deletes the consumer groups whose ids start with `prefix` and that have no member left, and
 * answers their ids. kafkajs reads only through a group, so a reader that wants no lasting one
 * takes a fresh group per incarnation and deletes it when done; a hard-killed reader leaves its
 * group behind, and a later sweep deletes it once the dead member's session has expired (the
 * group is Empty then). A group with members is somebody's live reader and is left alone.
 */
export async function deleteIdleGroups(admin: Admin, prefix: string): Promise<string[]> {
  const { groups } = await admin.listGroups();
  const candidates = groups.map((g) => g.groupId).filter((id) => id.startsWith(prefix));
  if (candidates.length === 0) return [];
  const { groups: described } = await admin.describeGroups(candidates);
  const idle = described
    .filter((g) => g.state === "Empty" || g.state === "Dead")
    .map((g) => g.groupId);
  if (idle.length > 0) await admin.deleteGroups(idle);
  return idle;
}
