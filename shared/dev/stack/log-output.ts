// Where the stack's log lines (its own and its children's, all pino JSON) go: as they are, or one readable line each
// on a terminal (shared/log/pretty.ts, which the functions use on a terminal too).
import { formatLine, wantsPretty } from '../../log/pretty.ts';

export { formatLine };

export interface LogOutput {
  /** One pino JSON line (with or without its newline). */
  write(line: string): void;
}

/** Pretty on a terminal, JSON lines otherwise (a pipe, a file, a log collector). */
export function logOutput(stream: NodeJS.WriteStream = process.stdout, pretty: boolean = wantsPretty(process.env, stream)): LogOutput {
  // Colours only for a terminal: readable lines in a file or a CI log are plain text.
  const color = stream.isTTY === true;
  return {
    write(line: string) {
      const trimmed = line.endsWith('\n') ? line.slice(0, -1) : line;
      stream.write(pretty ? `${formatLine(trimmed, color)}\n` : `${trimmed}\n`);
    },
  };
}
