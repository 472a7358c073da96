// The audit's pure core: no AWS SDK in here.
export * from './classify';
export * from './engine';
export * from './key-order';
export * from './merge';
export * from './ranges';
export * from './summary';
export * from './types';
export * from './partition';
