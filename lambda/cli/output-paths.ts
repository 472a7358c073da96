import { accessSync, constants, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { OutputError, UsageError } from '../shared/errors';

/**
 * Checks, before any work starts, that a local output file can be written: not a directory, its
 * directory exists and is writable, and the file itself (when it exists) is writable. A bad path
 * is a UsageError naming the option, the value and the fix.
 */
export function checkOutputPath(option: string, file: string): void {
  if (file === '') throw new UsageError(`${option} "" is empty: give a file name, e.g. ${option} report.json`);
  let st;
  try {
    st = statSync(file);
  } catch {
    st = undefined;
  }
  if (st?.isDirectory()) {
    throw new UsageError(
      `${option} "${file}" is a directory: give a file name inside it, e.g. ${option} ${join(file, 'report.json')}`,
    );
  }
  const dir = dirname(file) || '.';
  let dst;
  try {
    dst = statSync(dir);
  } catch {
    throw new UsageError(`${option} "${file}": the directory "${dir}" does not exist: create it or write elsewhere`);
  }
  if (!dst.isDirectory()) {
    throw new UsageError(`${option} "${file}": "${dir}" is not a directory: give a path inside a directory`);
  }
  try {
    accessSync(st ? file : dir, constants.W_OK);
  } catch {
    throw new UsageError(
      `${option} "${file}": ${st ? 'the file' : `the directory "${dir}"`} is not writable: give a path you can write to`,
    );
  }
}

/** A local write that failed after the work was done, as an OutputError (exit 5). */
export function outputFailed(option: string, file: string, err: unknown, whatIsLost: string): OutputError {
  const reason = (err as { code?: string; message?: string })?.code ?? (err as Error)?.message ?? String(err);
  return new OutputError(
    `could not write ${option} "${file}" (${reason}): ${whatIsLost}`,
    `free space or fix the permissions of "${dirname(file) || '.'}" (or give another ${option}), then run the command again`,
    { cause: err },
  );
}
