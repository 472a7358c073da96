/** Global teardown of the unit and package jest projects: removes the run's temporary folder (run-tmp.ts). */
import { removeRunTmp } from './run-tmp';

export default function globalTeardown(): void {
  removeRunTmp();
}
