/** Global setup of the unit and package jest projects: a temporary folder of the run's own (run-tmp.ts). */
import { useRunTmp } from './run-tmp';

export default function globalSetup(): void {
  useRunTmp();
}
