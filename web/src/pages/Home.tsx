import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

export default function Home(): ReactNode {
  const { t } = useTranslation();
  return <h1>{t('appTitle')}</h1>;
}
