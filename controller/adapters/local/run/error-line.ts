/**
 * Recognises the line of a crash that says what went wrong. A Node app that throws at
 * start prints the throwing source line, a caret, `Error: boom: DATABASE_URL is not set`,
 * a stack and `Node.js v24`; the last few lines are all stack. The first line that looks
 * like an error is what a person needs to read (issue 16), whatever the language.
 */

// `Error: …`, `TypeError [ERR_X]: …`, `java.lang.IllegalStateException: …`, `Uncaught Error …`,
// Python's `Traceback (most recent call last):` and `KeyError: …`, Go's `panic: …` and
// `fatal error: …`, log lines of the form `ERROR …` / `FATAL …` / `[error] …`.
const ERROR_LINE = new RegExp([
  String.raw`^\s*(?:Uncaught\s+)?(?:[\w$]+[.:])*[\w$]*(?:Error|Exception)\b(?:\s*\[[^\]]*\])?\s*:?(?:\s|$)`,
  String.raw`^\s*Traceback \(most recent call last\)`,
  String.raw`^\s*(?:panic|fatal error):\s`,
  String.raw`^\s*\[?(?:ERROR|FATAL|error|fatal)\]?[\s:]`,
  // A shell or env that cannot find the program: `sh: 1: gunicorn: not found`.
  String.raw`^(?:\S*sh|env): .*(?:not found|No such file or directory)`,
].join('|'));

/** True for a line that reads as an error or exception (not a stack frame). */
export function isErrorLine(line: string): boolean {
  return ERROR_LINE.test(line);
}
