/**
 * Jest globalSetup of the aws project: synthesize the dev stage (with bundling) once, before any test file, so no
 * file's beforeAll carries the synth's time; every file then reuses the cached assembly (aws-synth.ts).
 */
import { synthStage } from './aws-synth';

export default function synthOnce(): void {
  synthStage('dev');
}
