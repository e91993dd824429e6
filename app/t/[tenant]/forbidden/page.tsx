import { EmptyState } from "@/components/ui/page";
import { Icons } from "@/components/ui/icons";

export const metadata = { title: "Not allowed" };

export default function ForbiddenPage() {
  return (
    <EmptyState icon={<Icons.shield className="h-8 w-8" />} title="Your role does not include this page">
      Ask an owner or admin of this tenant if you need access.
    </EmptyState>
  );
}
