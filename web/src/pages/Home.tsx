// The first page: what this site is, the latest published result of the jurisdiction's program, and where to go
// next. It loads no chart code (the initial page stays small); the figures come from the disclosure summary.
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../components/useApi';
import { currentLanguage, formatFiscalYear, formatNumber, formatPercentFigure } from '../i18n';
import { useSession } from '../session';

interface Summary {
  readonly baseT: string;
  readonly years: readonly { fiscalYear: number; emissionsT: string; reportingFacilities: number; reductionPct: number | null }[];
}

export default function Home(): ReactNode {
  const { t } = useTranslation('public');
  const { jurisdiction, info } = useSession();
  const summary = useApi<Summary>(jurisdiction === undefined ? null : `jurisdictions/${jurisdiction.code}/disclosure/summary`);
  const latest = summary.data?.years[summary.data.years.length - 1];
  const name = jurisdiction === undefined ? '' : currentLanguage() === 'ja' ? jurisdiction.nameJa : jurisdiction.nameEn;
  const cards = [
    { href: '#/program', title: t('nav.program'), text: t('home.programText') },
    { href: '#/facilities', title: t('nav.facilities'), text: t('home.facilitiesText') },
    { href: '#/emissions', title: t('nav.emissions'), text: t('home.emissionsText') },
    { href: '#/ledger', title: t('nav.ledger'), text: t('home.ledgerText') },
  ];
  return (
    <section className="home">
      <h1>{t('common:appTitle')}</h1>
      <p className="lead">{t('home.intro', { name })}</p>
      {latest !== undefined && (
        <p className="headline" data-testid="headline">
          {latest.reductionPct === null
            ? t('home.headlineNoBase', { year: formatFiscalYear(latest.fiscalYear), value: formatNumber(latest.emissionsT), count: latest.reportingFacilities, facilities: formatNumber(latest.reportingFacilities) })
            : t('home.headline', { year: formatFiscalYear(latest.fiscalYear), value: formatNumber(latest.emissionsT), count: latest.reportingFacilities, facilities: formatNumber(latest.reportingFacilities), percent: formatPercentFigure(latest.reductionPct) })}
        </p>
      )}
      <ul className="cards">
        {cards.map((c) => (
          <li key={c.href}>
            <a href={c.href}><strong>{c.title}</strong><span>{c.text}</span></a>
          </li>
        ))}
      </ul>
      {info?.session.stage !== 'complete' && <p>{t('home.signInText')} <a href="#/sign-in">{t('common:signIn')}</a></p>}
    </section>
  );
}
