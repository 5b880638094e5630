// The op conformance suite (src/testing/conformance.ts) on the CPU backend: the reference backend.
import { registerCpuBackend } from '../cpu/cpu-backend.js';
import { describeOpConformance } from '../testing/conformance.js';

registerCpuBackend();
describeOpConformance('cpu');
