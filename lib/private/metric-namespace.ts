/** The namespace of the metrics the bundled handlers publish. */
export const METRIC_NAMESPACE = 'CdkS3Dr';
