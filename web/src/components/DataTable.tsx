// A sortable table for thousands of rows: only the rows in view (and a few either side) are in the DOM
// (@tanstack/react-virtual), between two spacer rows that keep the scroll height right. It stays a real <table> for
// screen readers (aria-rowcount, aria-rowindex on each row, aria-sort on the sorted column), scrolls with the keyboard
// (the scroll area is focusable) and keeps its header in view.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

export interface Column<R> {
  readonly key: string;
  readonly label: string;
  /** Right-aligned figures. */
  readonly numeric?: boolean;
  /** CSS width of the column (the table lays out fixed, so rows do not jump while scrolling). */
  readonly width: string;
  /** The cell; default the sort value as text. */
  readonly render?: (row: R) => ReactNode;
  /** Whether the header sorts by this column. Default true. */
  readonly sortable?: boolean;
}

export interface SortState {
  readonly key: string;
  readonly direction: 'ascending' | 'descending';
}

export interface DataTableProps<R> {
  readonly caption: string;
  readonly columns: readonly Column<R>[];
  readonly rows: readonly R[];
  readonly rowKey: (row: R) => string;
  readonly sort?: SortState | undefined;
  readonly onSort?: (key: string) => void;
  /** Pixel height of a row as the stylesheet draws it (.data-table td). */
  readonly rowHeightPx?: number;
  /** Text of the cell when no render is given. */
  readonly text: (row: R, key: string) => string;
}

export const ROW_HEIGHT_PX = 36;
const OVERSCAN_ROWS = 12;

export function DataTable<R>({ caption, columns, rows, rowKey, sort, onSort, rowHeightPx = ROW_HEIGHT_PX, text }: DataTableProps<R>): ReactNode {
  const { t } = useTranslation();
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => scrollRef.current, estimateSize: () => rowHeightPx, overscan: OVERSCAN_ROWS });
  const items = virtualizer.getVirtualItems();
  const paddingTop = items.length > 0 ? items[0]!.start : 0;
  const paddingBottom = items.length > 0 ? virtualizer.getTotalSize() - items[items.length - 1]!.end : 0;

  return (
    <div className="data-table" ref={scrollRef} tabIndex={0} role="region" aria-label={t('table.scrollArea', { caption })}>
      <table aria-rowcount={rows.length + 1}>
        <caption className="visually-hidden">{caption}</caption>
        <colgroup>
          {columns.map((c) => <col key={c.key} style={{ width: c.width }} />)}
        </colgroup>
        <thead>
          <tr aria-rowindex={1}>
            {columns.map((c) => {
              const sorted = sort?.key === c.key ? sort.direction : undefined;
              const sortable = c.sortable !== false && onSort !== undefined;
              return (
                <th key={c.key} scope="col" className={c.numeric === true ? 'num' : undefined} aria-sort={sorted ?? (sortable ? 'none' : undefined)}>
                  {sortable ? (
                    <button type="button" className="sort" onClick={() => { onSort(c.key); }}>
                      {c.label}
                      <span aria-hidden="true" className="sort-mark">{sorted === 'ascending' ? '▲' : sorted === 'descending' ? '▼' : '↕'}</span>
                    </button>
                  ) : c.label}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {paddingTop > 0 && (
            <tr aria-hidden="true" className="spacer"><td colSpan={columns.length} style={{ height: paddingTop }} /></tr>
          )}
          {items.map((v) => {
            const row = rows[v.index]!;
            return (
              <tr key={rowKey(row)} aria-rowindex={v.index + 2} data-index={v.index}>
                {columns.map((c) => (
                  <td key={c.key} className={c.numeric === true ? 'num' : undefined}>{c.render === undefined ? text(row, c.key) : c.render(row)}</td>
                ))}
              </tr>
            );
          })}
          {paddingBottom > 0 && (
            <tr aria-hidden="true" className="spacer"><td colSpan={columns.length} style={{ height: paddingBottom }} /></tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
