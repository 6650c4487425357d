/**
 * Writes a document given as a sequence of chunks (`exportPayloadChunks`) to
 * a file without holding it whole in memory: into a temporary file next to
 * the target, renamed over it only once complete, so a failure leaves the
 * target as it was.
 */
import * as fs from 'fs';
import * as path from 'path';

/** Write `chunks` to `file` (UTF-8); resolves to the number of bytes written. */
export function writeChunksAtomically(
  file: string,
  chunks: Iterable<string>
): number {
  const temporary = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${process.pid}.tmp`
  );
  let bytes = 0;
  const fd = fs.openSync(temporary, 'w');
  try {
    try {
      for (const chunk of chunks) {
        const buffer = Buffer.from(chunk, 'utf8');
        fs.writeSync(fd, buffer);
        bytes += buffer.length;
      }
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temporary, file);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw error;
  }
  return bytes;
}
