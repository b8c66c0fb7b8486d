// The rows of a live timeline view, kept between redraws: each event's row is drawn at y = 0 and placed
// with a translate, so a row whose content did not change (the same notes, pairings, previous time) is
// reused as it is, however far the window of drawn events has moved. A live view redraws the newest 400
// events several times a second while only the newest few changed: it draws those and reuses the rest.
import { TimelineStrings } from './strings';

export class RowCache {
  private rows = new Map<number, { key: string; svg: string }>();
  private used = new Map<number, { key: string; svg: string }>();
  private drawnWith?: { strings: TimelineStrings; hex: boolean; encoding: string };
  /** Rows drawn and rows reused by the last redraw (tests and the benchmark read them). */
  drawn = 0;
  reused = 0;

  /** Starts a redraw: everything is drawn again when the sentences, hex or the encoding changed. */
  begin(strings: TimelineStrings, hex: boolean, encoding: string): void {
    const w = this.drawnWith;
    if (!w || w.strings !== strings || w.hex !== hex || w.encoding !== encoding) {
      this.rows.clear();
      this.drawnWith = { strings, hex, encoding };
    }
    this.used = new Map();
    this.drawn = 0;
    this.reused = 0;
  }

  /** Event `seq`'s row: the kept one when `key` (what the row shows) is the same, else drawn again. */
  row(seq: number, key: string, draw: () => string): string {
    let r = this.rows.get(seq);
    if (r?.key === key) {
      this.reused++;
    } else {
      r = { key, svg: draw() };
      this.drawn++;
    }
    this.used.set(seq, r);
    return r.svg;
  }

  /** Ends a redraw: only the rows it drew are kept (memory stays bounded by the drawn window). */
  end(): void {
    this.rows = this.used;
    this.used = new Map();
  }
}
