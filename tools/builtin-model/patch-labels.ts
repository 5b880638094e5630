/**
 * The class a teacher patch gives one attribute group, as the diagnostics here score it: the
 * group's largest feature, if it covers at least a quarter of the patch (weights divided out).
 * One-hot groups (row and column thirds) always qualify.
 */
import type { TeacherFeatures, TeacherGroup } from '@evejs/datasets';
import { argmax } from '@evejs/model';

/** Least share of a patch an object or letter must cover for the patch to be labelled. */
export const LABEL_MIN_SHARE = 0.25;

/** The group's class at patch `p` of `features`, or −1 where nothing covers enough of it. */
export function patchClass(features: TeacherFeatures, p: number, group: TeacherGroup): number {
  const values = features.data.subarray(p * features.dim + group.offset, p * features.dim + group.offset + group.length);
  const k = argmax(values);
  return values[k]! / group.weight >= LABEL_MIN_SHARE ? k : -1;
}
