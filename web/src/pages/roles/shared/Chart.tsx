// A chart drawn by echarts (loaded on first use) with a text description for screen readers; the figures it shows
// are also in a table on the same page, which is what assistive technology reads.
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { currentLanguage } from '../../../i18n';
import type { EChartsOption } from './echarts-setup';

export function Chart({ option, description, height = 280 }: { option: EChartsOption; description: string; height?: number }): ReactNode {
  const { t } = useTranslation('roles');
  const box = useRef<HTMLDivElement>(null);
  const [failed, setFailed] = useState(false);
  const lang = currentLanguage();
  useEffect(() => {
    let disposed = false;
    let dispose: (() => void) | undefined;
    import('./echarts-setup')
      .then(({ init }) => {
        if (disposed || box.current === null) return;
        const chart = init(box.current, undefined, { renderer: 'svg', locale: lang === 'ja' ? 'JA' : 'EN' });
        chart.setOption({ aria: { enabled: true, label: { description } }, animation: false, textStyle: { fontFamily: lang === 'ja' ? 'IPAexGothic, "Noto Sans CJK JP", sans-serif' : 'system-ui, sans-serif' }, ...option });
        const resize = (): void => { chart.resize(); };
        window.addEventListener('resize', resize);
        dispose = () => {
          window.removeEventListener('resize', resize);
          chart.dispose();
        };
      })
      .catch(() => { setFailed(true); });
    return () => {
      disposed = true;
      dispose?.();
    };
  }, [option, description, lang]);
  return (
    <figure className="rp-chart">
      {failed ? <p className="empty">{t('chart.failed')}</p> : <div ref={box} className="rp-chart-box" role="img" aria-label={description} style={{ height }} />}
    </figure>
  );
}
