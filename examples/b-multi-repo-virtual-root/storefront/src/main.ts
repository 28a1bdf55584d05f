import { createApp, h } from "vue";

// Entry point of the storefront bundle (the real app lives in src/components/ and src/views/).
createApp({ render: () => h("div", { id: "shop" }, "Shop") }).mount("#app");
