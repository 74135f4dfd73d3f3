// echarts, tree-shaken to what the role pages draw (bars and lines on a grid, SVG), in a chunk of its own that is
// loaded only when a chart is shown.
import { BarChart, LineChart } from 'echarts/charts';
import { AriaComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';

echarts.use([BarChart, LineChart, GridComponent, TooltipComponent, LegendComponent, AriaComponent, SVGRenderer]);

export const init = echarts.init;
export type EChartsOption = echarts.EChartsCoreOption;
