import { writeFileSync } from "node:fs";
import type { Reporter, TestCase } from "vitest/node";

/**
 * Writes the tests that failed, and those that passed only on a retry (CI retries once),
 * to a file the summary of scripts/test.ts prints: a retry must not hide a flaky test,
 * and a failure must be named where the log's tail shows it.
 */
export default class OutcomeReporter implements Reporter {
  private failed: string[] = [];
  private flaky: string[] = [];

  onTestCaseResult(test: TestCase) {
    const name = `${test.module.moduleId.replace(`${process.cwd()}/`, "")} › ${test.fullName}`;
    if (test.result().state === "failed") this.failed.push(`${name}: ${test.result().errors?.[0]?.message?.split("\n")[0] ?? ""}`);
    else if (test.diagnostic()?.flaky) this.flaky.push(name);
  }

  onTestRunEnd() {
    writeFileSync(".data/test-results/vitest-outcomes.json", JSON.stringify({ failed: this.failed, flaky: this.flaky }, null, 2));
  }
}
