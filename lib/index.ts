export * from './errors';
export * from './replication-options';
export * from './replica-bucket';
export * from './replication-destination';
export * from './replicated-bucket';
export * as perms from './perms';
export * from './replication-pair';
export * from './consistency-audit';
export * from './restore-drill';
