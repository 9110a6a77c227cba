// The demo's terminal output: one row per interval, one line per state change.
// On a terminal, the current row is redrawn in place and states are coloured bands. When stdout
// is not a terminal, or NO_COLOR is set, it prints plain lines: no colours, no cursor movement.

const BAND_WIDTH = 24;
const STATES = {
  closed: { colour: 32, letter: 'C', label: 'closed' },
  open: { colour: 31, letter: 'O', label: 'open' },
  halfOpen: { colour: 33, letter: 'H', label: 'half-open' },
  isolated: { colour: 35, letter: 'I', label: 'isolated' },
  disabled: { colour: 36, letter: 'D', label: 'disabled' },
};

const seconds = (ms) => `${(ms / 1000).toFixed(2)}s`.padStart(6);

export function createTimeline({ out = process.stdout, fancy }) {
  const paint = (code, text) => (fancy ? `\x1b[${code}m${text}\x1b[0m` : text);
  const bold = (text) => paint(1, text);
  const dim = (text) => paint(2, text);
  const stateText = (state) => paint(STATES[state].colour, STATES[state].label);
  let live = false; // whether the last thing written is an unfinished row (terminal only)

  const write = (line) => {
    if (live) out.write('\r\x1b[2K');
    live = false;
    out.write(`${line}\n`);
  };

  /** A band of `BAND_WIDTH` cells, each showing the state the breaker was in for most of it. */
  const band = (cells) => {
    const padded = cells.concat(Array(BAND_WIDTH - cells.length).fill(undefined));
    return padded
      .map((state) => {
        if (state === undefined) return fancy ? ' ' : '.';
        // A letter on a coloured background: readable without colour, and in screenshots.
        return fancy ? paint(`30;${STATES[state].colour + 10}`, STATES[state].letter) : STATES[state].letter;
      })
      .join('');
  };

  const row = ({ endMs, cells, counts, phase }) => {
    const n = (value, colour) => {
      const text = String(value).padStart(4);
      return value === 0 ? dim(text) : paint(colour, text);
    };
    return `${seconds(endMs)}  ${band(cells)}  ${n(counts.successes, 32)} ${n(counts.failures, 31)} ${n(counts.timeouts, 35)} ${n(counts.rejected, 33)}  ${phase}`;
  };

  return {
    BAND_WIDTH,

    header({ speed, asked, failureRate, intervalMs, timeoutMs, options }) {
      write(bold('tripswitch demo: a flaky upstream, and a client guarded by a breaker'));
      write(`  upstream: healthy, then failing, then healthy again; speed x${speed}`);
      if (asked !== speed) write(dim(`            (x${asked} asked: above x${speed}, round trips would outlast the timeout)`));
      write(`            while failing: ${Math.round(failureRate * 100)}% of requests get 503, some hang`);
      write(`  breaker:  ${options}`);
      write(`            calls time out after ${timeoutMs} ms`);
      const key = (state) => (fancy ? paint(`30;${STATES[state].colour + 10}`, STATES[state].letter) : STATES[state].letter);
      write(`  one row per ${intervalMs} ms; band: ${key('closed')} closed  ${key('open')} open  ${key('halfOpen')} half-open`);
      write('  calls: ok, failed, timed out (also counted as failed), rejected');
      write('');
      write(dim(`${'time'.padStart(6)}  ${'state'.padEnd(BAND_WIDTH)}    ok fail  t/o  rej  upstream`));
    },

    /** Redraws the unfinished row in place (terminal only). */
    progress(current) {
      if (!fancy) return;
      out.write(`\r\x1b[2K${row(current)}`);
      live = true;
    },

    /** Prints a finished row. */
    interval(finished) {
      write(row(finished));
    },

    /** Prints a state change, above the unfinished row. */
    change({ atMs, from, to, detail }) {
      write(
        `${seconds(atMs)}  ${fancy ? bold('\u21b3') : '*'} ${stateText(from)} -> ${stateText(to)}${detail ? dim(`  ${detail}`) : ''}`,
      );
    },

    footer(stats, elapsedMs) {
      const { totals } = stats;
      write('');
      write(
        `${bold('done')} in ${(elapsedMs / 1000).toFixed(1)} s: ${totals.calls} calls let through ` +
          `(${totals.successes} ok, ${totals.failures} failed (${totals.timeouts} timed out))`,
      );
      write(`  ${totals.rejected} rejected at once without touching the upstream; breaker ${stateText(stats.state)}`);
    },
  };
}
