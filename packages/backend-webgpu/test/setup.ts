// Test setup: point the Vulkan loader at Mesa's lavapipe when it is installed (CI's CPU-only
// machines), which makes adapter requests fast and deterministic. Never overrides a choice.
import { existsSync } from 'node:fs';

const LAVAPIPE_ICD = '/usr/share/vulkan/icd.d/lvp_icd.json';
if (existsSync(LAVAPIPE_ICD)) process.env.VK_DRIVER_FILES ??= LAVAPIPE_ICD;
