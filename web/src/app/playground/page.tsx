import type { Metadata } from 'next';
import { PlaygroundScreen } from '../../components/playground/PlaygroundScreen';

export const metadata: Metadata = { title: 'Playground' };

export default function PlaygroundPage() {
  return (
    <main id="main" className="page--playground">
      <PlaygroundScreen />
    </main>
  );
}
