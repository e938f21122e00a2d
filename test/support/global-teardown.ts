/** Runs once after all test files. */
export default function globalTeardown(): void {}
