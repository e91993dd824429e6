export type DiffLine = { kind: "same" | "add" | "del"; text: string; oldNo: number | null; newNo: number | null };

/** Above this many cells the middle part is shown as removed-then-added instead of aligned. */
const MAX_CELLS = 4_000_000;

/**
 * A line diff of two texts: common head and tail trimmed, the middle aligned by the
 * longest common subsequence. Plenty for Cedar documents of a few thousand lines.
 */
export function lineDiff(before: string, after: string): DiffLine[] {
  const a = before === "" ? [] : before.split("\n");
  const b = after === "" ? [] : after.split("\n");
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;

  const out: DiffLine[] = [];
  for (let i = 0; i < head; i++) out.push({ kind: "same", text: a[i]!, oldNo: i + 1, newNo: i + 1 });

  const midA = a.slice(head, a.length - tail);
  const midB = b.slice(head, b.length - tail);
  const n = midA.length;
  const m = midB.length;
  if (n * m > MAX_CELLS) {
    midA.forEach((text, i) => out.push({ kind: "del", text, oldNo: head + i + 1, newNo: null }));
    midB.forEach((text, j) => out.push({ kind: "add", text, oldNo: null, newNo: head + j + 1 }));
  } else {
    // lcs[i][j] = length of the LCS of midA[i..] and midB[j..], in one flat array.
    const width = m + 1;
    const lcs = new Uint32Array((n + 1) * width);
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i * width + j] = midA[i] === midB[j] ? lcs[(i + 1) * width + j + 1]! + 1 : Math.max(lcs[(i + 1) * width + j]!, lcs[i * width + j + 1]!);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && midA[i] === midB[j]) {
        out.push({ kind: "same", text: midA[i]!, oldNo: head + i + 1, newNo: head + j + 1 });
        i++;
        j++;
      } else if (i < n && (j === m || lcs[(i + 1) * width + j]! >= lcs[i * width + j + 1]!)) {
        out.push({ kind: "del", text: midA[i]!, oldNo: head + i + 1, newNo: null });
        i++;
      } else {
        out.push({ kind: "add", text: midB[j]!, oldNo: null, newNo: head + j + 1 });
        j++;
      }
    }
  }

  const shift = b.length - a.length;
  for (let k = a.length - tail; k < a.length; k++) out.push({ kind: "same", text: a[k]!, oldNo: k + 1, newNo: k + 1 + shift });
  return out;
}

export type DiffHunk = { kind: "lines"; lines: DiffLine[] } | { kind: "skip"; count: number };

/** Unchanged runs longer than 2 × `context` lines folded, keeping `context` lines around each change. */
export function foldUnchanged(lines: DiffLine[], context = 3): DiffHunk[] {
  const hunks: DiffHunk[] = [];
  let run: DiffLine[] = [];
  const flush = (atStart: boolean, atEnd: boolean) => {
    const keepHead = atStart ? 0 : context;
    const keepTail = atEnd ? 0 : context;
    if (run.length > keepHead + keepTail + 1) {
      if (keepHead) pushLines(run.slice(0, keepHead));
      hunks.push({ kind: "skip", count: run.length - keepHead - keepTail });
      if (keepTail) pushLines(run.slice(run.length - keepTail));
    } else pushLines(run);
    run = [];
  };
  const pushLines = (ls: DiffLine[]) => {
    if (!ls.length) return;
    const last = hunks[hunks.length - 1];
    if (last?.kind === "lines") last.lines.push(...ls);
    else hunks.push({ kind: "lines", lines: [...ls] });
  };
  let seenChange = false;
  for (const line of lines) {
    if (line.kind === "same") run.push(line);
    else {
      flush(!seenChange, false);
      seenChange = true;
      pushLines([line]);
    }
  }
  flush(!seenChange, true);
  return hunks;
}
