/** A fenced TypeScript block of the README. */
export interface ReadmeBlock {
  /** The 1-based line of the opening fence. */
  readonly line: number;
  /** The block's text. */
  readonly code: string;
  /** Why the block is not compiled and run, from a `<!-- not runnable: reason -->` comment right above it. */
  readonly notRunnable?: string;
}

const NOT_RUNNABLE = /^<!--\s*not runnable:\s*(.+?)\s*-->$/;

/** Every ```ts block of a markdown text, in order. */
export function readmeBlocks(markdown: string): ReadmeBlock[] {
  const lines = markdown.split('\n');
  const blocks: ReadmeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(ts|typescript)\s*$/.test(lines[i])) continue;
    const end = lines.findIndex((l, j) => j > i && l.startsWith('```'));
    if (end < 0) throw new Error(`README line ${i + 1}: the ts block is never closed`);
    const marker = i > 0 ? NOT_RUNNABLE.exec(lines[i - 1].trim()) : null;
    blocks.push({ line: i + 1, code: lines.slice(i + 1, end).join('\n') + '\n', notRunnable: marker?.[1] });
    i = end;
  }
  return blocks;
}
