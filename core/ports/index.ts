export type { BlobStore, BlobInfo, PutOptions } from './blob-store.ts';
export { sourceKey, sourcePrefix } from './blob-store.ts';
export type { GitSource, ResolvedRevision, ArchiveRequest } from './git-source.ts';
export type { StateStore, AppMutation } from './state-store.ts';
export type { Clock } from './clock.ts';
export { systemClock } from './clock.ts';
export type { Logger } from './logger.ts';
export { silentLogger } from './logger.ts';
export type { Runtime, StageInput, StageOutput, DeployInput, DeployOutput, RuntimeAppStatus, LogLine, LogSink, LogOptions } from './runtime.ts';
