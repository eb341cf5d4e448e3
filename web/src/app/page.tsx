import type { Metadata } from 'next';
import { TasksScreen } from '../components/tasks/TasksScreen';

export const metadata: Metadata = { title: 'Tasks' };

export default function TasksPage() {
  return (
    <main id="main">
      <h1>Your tasks</h1>
      <TasksScreen />
    </main>
  );
}
