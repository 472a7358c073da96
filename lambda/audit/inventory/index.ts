// Inventory-backed audits, pure core: no AWS SDK in here (Node built-ins only).
export * from './compare';
export * from './csv';
export * from './manifest';
export * from './order';
export * from './replication-status';
