/** The namespace of the metrics the bundled handlers publish (spelled once, in the handlers' module). */
export { METRIC_NAMESPACE } from '../../lambda/shared/metrics';
