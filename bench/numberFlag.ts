// A benchmark's numeric command-line flag, checked as the user gave it.

/** A flag's number, at least `min`; a usage error (exit 2) otherwise. */
export function numberFlag(
  name: string,
  value: string | undefined,
  min: number,
  integer = false,
): number {
  const n = Number(value);
  if (value === undefined || value === "" || !(n >= min) || (integer && !Number.isSafeInteger(n))) {
    process.stderr.write(
      `--${name}: expected a ${integer ? "whole " : ""}number of at least ${min}, got "${value}"\n`,
    );
    process.exit(2);
  }
  return n;
}
