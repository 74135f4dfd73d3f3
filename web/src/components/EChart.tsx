// A chart drawn by echarts with the SVG renderer, importing only the chart types and components the pages use
// (echarts/core, tree-shaken). Pages that show charts are loaded lazily, so echarts never weighs on the first page.
// The chart is an image to screen readers (role="img" with a label); each page puts the figures in a table as well.
import { BarChart, LineChart, ScatterChart } from 'echarts/charts';
import { DataZoomComponent, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent } from 'echarts/components';
import { init, use, type ComposeOption, type EChartsType } from 'echarts/core';
import type { BarSeriesOption, LineSeriesOption, ScatterSeriesOption } from 'echarts/charts';
import type { DataZoomComponentOption, GridComponentOption, LegendComponentOption, MarkLineComponentOption, TooltipComponentOption } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';
import { useEffect, useRef, type ReactNode } from 'react';
import { currentLanguage } from '../i18n';

use([BarChart, LineChart, ScatterChart, GridComponent, TooltipComponent, LegendComponent, MarkLineComponent, DataZoomComponent, SVGRenderer]);

export type ChartOption = ComposeOption<BarSeriesOption | LineSeriesOption | ScatterSeriesOption | GridComponentOption | TooltipComponentOption | LegendComponentOption | MarkLineComponentOption | DataZoomComponentOption>;

/** The page's font stacks (styles.css), so chart text matches the page — Japanese in a Japanese font. */
const FONT_EN = 'system-ui, "Segoe UI", Roboto, sans-serif';
const FONT_JA = '"IPAexGothic", "Noto Sans CJK JP", "Hiragino Sans", "Yu Gothic", "Meiryo", sans-serif';

/** Colours that stay apart for common colour-vision deficiencies (Okabe–Ito). */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];

export function EChart({ option, label, heightPx = 360 }: { option: ChartOption; label: string; heightPx?: number }): ReactNode {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<EChartsType | null>(null);

  useEffect(() => {
    const el = ref.current;
    if (el === null) return;
    const c = init(el, undefined, { renderer: 'svg' });
    chart.current = c;
    const observer = new ResizeObserver(() => { c.resize(); });
    observer.observe(el);
    return () => {
      observer.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    const fontFamily = currentLanguage() === 'ja' ? FONT_JA : FONT_EN;
    chart.current?.setOption({ color: PALETTE, textStyle: { fontFamily }, animation: false, ...option }, true);
  }, [option]);

  return <div ref={ref} className="chart" role="img" aria-label={label} style={{ height: heightPx }} />;
}
